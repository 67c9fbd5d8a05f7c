/** The stacked charts of the Resources view: a ChartGroup on a div, sized by a ResizeObserver. */
import { useEffect, useRef } from 'react';
import { ChartGroup } from './chartGroup';
import { CPU_CHART, HOST_CHART, irqChart, MEM_CHART } from './chartSpecs';
import type { MonitorSession } from './monitorSession';
import type { ViewMode } from './viewWindow';

export function ChartsView(props: {
  monitor: MonitorSession;
  mode: ViewMode;
  irqIds: string[];
  irqLabel: (id: string) => string;
  /** Dashed line at the process table's time (host ms). */
  marker: number | null;
  onMode: (mode: ViewMode) => void;
  onPick: (ms: number) => void;
}) {
  const { monitor, mode, irqIds, irqLabel, marker } = props;
  const hostRef = useRef<HTMLDivElement>(null);
  const groupRef = useRef<ChartGroup | null>(null);
  // The group outlives renders; it calls back through these to the latest props.
  const callbacks = useRef(props);
  callbacks.current = props;

  useEffect(() => {
    const host = hostRef.current!;
    const group = new ChartGroup(
      host,
      { buffer: () => monitor.buffer, live: () => monitor.view.live },
      { onMode: (m) => callbacks.current.onMode(m), onPick: (ms) => callbacks.current.onPick(ms) },
    );
    groupRef.current = group;
    const off = monitor.onData(() => group.schedule());
    const ro = new ResizeObserver(() => group.resize(host.clientWidth, host.clientHeight));
    ro.observe(host);
    return () => {
      off();
      ro.disconnect();
      group.destroy();
      groupRef.current = null;
    };
  }, [monitor]);

  const irqKey = irqIds.map((id) => `${id}\t${irqLabel(id)}`).join('\n');
  useEffect(() => {
    const group = groupRef.current!;
    group.setCharts([CPU_CHART, MEM_CHART, irqChart(irqIds, irqLabel), HOST_CHART]);
    const host = hostRef.current!;
    group.resize(host.clientWidth, host.clientHeight);
    // irqKey stands for irqIds and irqLabel: the charts are rebuilt only when the lines change.
  }, [monitor, irqKey]);

  useEffect(() => groupRef.current?.setMode(mode), [monitor, mode]);
  useEffect(() => groupRef.current?.setMarker(marker), [monitor, marker]);

  return <div ref={hostRef} className="monitor-charts" data-testid="monitor-charts" />;
}
