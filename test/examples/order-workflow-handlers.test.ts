import { handler as charge } from '../../examples/order-workflow/handlers/charge';
import type { Order } from '../../examples/order-workflow/handlers/order';
import { handler as report } from '../../examples/order-workflow/handlers/report';
import { handler as ship } from '../../examples/order-workflow/handlers/ship';
import { handler as validate } from '../../examples/order-workflow/handlers/validate';

// The workflow's Catch matches these error names, so they are part of each handler's contract.
const ORDER: Order = { orderId: 'o-1', customerId: 'c-1', amount: 2500, items: [{ sku: 'book', quantity: 1 }] };

describe('order-workflow handlers', () => {
  beforeAll(() => {
    // Powertools logs JSON to stdout; keep the test output readable.
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });

  test('validate passes a well-formed order on unchanged', async () => {
    await expect(validate(ORDER)).resolves.toEqual(ORDER);
  });

  test.each<[string, unknown, RegExp]>([
    ['nothing', null, /orderId is missing/],
    ['no customer', { ...ORDER, customerId: '' }, /customerId is missing/],
    ['a fractional amount', { ...ORDER, amount: 12.5 }, /amount must be a positive whole number of cents/],
    ['no items', { ...ORDER, items: [] }, /items must hold 1 to 50 entries/],
    ['51 items', { ...ORDER, items: Array.from({ length: 51 }, () => ({ sku: 'x', quantity: 1 })) }, /items must hold 1 to 50 entries/],
    ['a zero quantity', { ...ORDER, items: [{ sku: 'x', quantity: 0 }] }, /every item needs a sku and a positive quantity/],
  ])('validate rejects %s with InvalidOrder', async (_name, input, message) => {
    await expect(validate(input)).rejects.toMatchObject({ name: 'InvalidOrder', message: expect.stringMatching(message) });
  });

  test('charge returns a payment id, and declines an order above the limit with PaymentDeclined', async () => {
    await expect(charge(ORDER)).resolves.toEqual({ ...ORDER, paymentId: 'pay-o-1' });
    await expect(charge({ ...ORDER, amount: 100_001 })).rejects.toMatchObject({ name: 'PaymentDeclined' });
  });

  test('ship returns the tracking number; report says it ran', async () => {
    await expect(ship({ ...ORDER, paymentId: 'pay-o-1' })).resolves.toEqual({ orderId: 'o-1', paymentId: 'pay-o-1', trackingNumber: 'track-o-1' });
    await expect(report({ time: '2026-12-03T02:00:00Z' })).resolves.toEqual({ reported: true, scheduledFor: '2026-12-03T02:00:00Z' });
  });
});
