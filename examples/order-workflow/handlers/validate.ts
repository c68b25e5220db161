import { Logger } from '@aws-lambda-powertools/logger';
import { OrderError, type Order } from './order';

const logger = new Logger({ serviceName: 'order-workflow' });
const MAX_ITEMS = 50;

/**
 * Checks an untrusted order before anything is charged: an id, a customer, a positive amount in
 * whole cents, and 1 to 50 items with positive quantities. A bad order fails the task with
 * InvalidOrder, which the workflow does not retry.
 */
export const handler = async (input: unknown): Promise<Order> => {
  const order = input as Partial<Order> | null;
  const problems: string[] = [];
  if (typeof order?.orderId !== 'string' || order.orderId.length === 0) problems.push('orderId is missing');
  if (typeof order?.customerId !== 'string' || order.customerId.length === 0) problems.push('customerId is missing');
  if (!Number.isInteger(order?.amount) || (order?.amount ?? 0) <= 0) problems.push('amount must be a positive whole number of cents');
  const items = Array.isArray(order?.items) ? order.items : [];
  if (items.length === 0 || items.length > MAX_ITEMS) problems.push(`items must hold 1 to ${MAX_ITEMS} entries`);
  if (items.some((item) => typeof item?.sku !== 'string' || !Number.isInteger(item?.quantity) || item.quantity <= 0)) {
    problems.push('every item needs a sku and a positive quantity');
  }
  if (problems.length > 0) {
    logger.warn('order rejected', { orderId: order?.orderId, problems });
    throw new OrderError('InvalidOrder', problems.join('; '));
  }
  logger.info('order valid', { orderId: order!.orderId, items: items.length });
  return order as Order;
};
