import './platform/zodConfig'; // first: before any schema of the contract is built
import '@xterm/xterm/css/xterm.css';
import './app/theme.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { AppController } from './app/controller';
import { setApi } from './platform/apiRef';
import { createPlatform } from './platform/platform';

const platform = createPlatform(window);
setApi(platform.api);
const controller = new AppController(platform);
controller.start();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App onReconnect={() => platform.reconnectNow()} />
  </StrictMode>,
);
