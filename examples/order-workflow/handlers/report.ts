import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

const logger = new Logger({ serviceName: 'order-report' });
const metrics = new Metrics({ namespace: 'OrderWorkflowExample', serviceName: 'report' });

/**
 * The nightly report, run by a schedule: here it records that it ran. A real one would read the
 * day's orders from where the workflow stores them and mail a summary.
 */
export const handler = async (event: { readonly time?: string }) => {
  metrics.addMetric('ReportsSent', MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
  logger.info('nightly report', { scheduledFor: event.time });
  return { reported: true, scheduledFor: event.time };
};
