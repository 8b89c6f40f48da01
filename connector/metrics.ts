/**
 * Connector metrics as CloudWatch EMF lines (Powertools Metrics), flushed once a minute. The names are
 * `BRIDGE_METRICS` (shared/config.ts), which lib/ alarms on. Locally the sink is a no-op.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { BRIDGE_METRICS } from '../shared/config.js';

export interface ConnectorMetrics {
  count(name: string, value?: number): void;
  /** Keeps the largest value seen until the next flush (for ages and gauges). */
  max(name: string, value: number, unit?: 'Count' | 'Seconds'): void;
  flush(): void;
}

export const noMetrics: ConnectorMetrics = {
  count: () => undefined,
  max: () => undefined,
  flush: () => undefined,
};

export function emfMetrics(service = 'connector'): ConnectorMetrics {
  const metrics = new Metrics({ namespace: BRIDGE_METRICS.namespace, serviceName: service });
  const counts = new Map<string, number>();
  const maxima = new Map<string, { value: number; unit: 'Count' | 'Seconds' }>();
  return {
    count: (name, value = 1) => counts.set(name, (counts.get(name) ?? 0) + value),
    max: (name, value, unit = 'Count') => {
      const cur = maxima.get(name);
      if (!cur || value > cur.value) maxima.set(name, { value, unit });
    },
    flush: () => {
      if (!counts.size && !maxima.size) return;
      for (const [name, value] of counts) metrics.addMetric(name, MetricUnit.Count, value);
      for (const [name, { value, unit }] of maxima)
        metrics.addMetric(name, unit === 'Seconds' ? MetricUnit.Seconds : MetricUnit.Count, value);
      counts.clear();
      maxima.clear();
      metrics.publishStoredMetrics();
    },
  };
}
