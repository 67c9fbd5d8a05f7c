/** The Monitor feature's public API: the tab's pane and its icon. */
export { MonitorPane } from './MonitorPane';
export { MonitorIcon } from './MonitorIcon';
