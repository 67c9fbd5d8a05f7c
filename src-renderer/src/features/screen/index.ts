export { ScreenPane } from './ScreenPane';
export { ScreenIcon } from './ScreenIcon';
