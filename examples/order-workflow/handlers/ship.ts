import { Logger } from '@aws-lambda-powertools/logger';
import type { Order } from './order';

const logger = new Logger({ serviceName: 'order-workflow' });

/** Hands a paid order to the warehouse and returns its tracking number. */
export const handler = async (order: Order & { readonly paymentId: string }) => {
  const trackingNumber = `track-${order.orderId}`;
  logger.info('order shipped', { orderId: order.orderId, paymentId: order.paymentId, trackingNumber });
  return { orderId: order.orderId, paymentId: order.paymentId, trackingNumber };
};
