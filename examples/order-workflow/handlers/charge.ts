import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { OrderError, type Order } from './order';

const logger = new Logger({ serviceName: 'order-workflow' });
const metrics = new Metrics({ namespace: 'OrderWorkflowExample', serviceName: 'charge' });
// A stand-in for a payment provider's decision: orders above this amount are declined.
const LIMIT_CENTS = 100_000;

/**
 * Charges the customer. A declined payment fails the task with PaymentDeclined, which the workflow
 * catches into its failure state; nothing is shipped.
 */
export const handler = async (order: Order): Promise<Order & { readonly paymentId: string }> => {
  try {
    if (order.amount > LIMIT_CENTS) {
      metrics.addMetric('PaymentsDeclined', MetricUnit.Count, 1);
      logger.warn('payment declined', { orderId: order.orderId, amount: order.amount });
      throw new OrderError('PaymentDeclined', `The payment of ${order.amount} cents for order ${order.orderId} was declined`);
    }
    metrics.addMetric('PaymentsCharged', MetricUnit.Count, 1);
    logger.info('payment charged', { orderId: order.orderId, amount: order.amount });
    return { ...order, paymentId: `pay-${order.orderId}` };
  } finally {
    metrics.publishStoredMetrics();
  }
};
