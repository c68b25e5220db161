import { describeSession, presignDbAuthToken } from './aurora-probe';

// The AuroraDatabase IntegTest's probe, without a cluster: its token signer against tokens
// botocore signed, and how it reports a session.

// Expected tokens: botocore 1.43.11's RDS generate_db_auth_token (the signer behind
// `aws rds generate-db-auth-token`) for my-cluster...:5432 and the user iam_probe, us-east-1, at
// 2026-12-06T17:00:00Z, with these example credentials.
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const NOW = new Date('2026-12-06T17:00:00Z');
const HOSTNAME = 'my-cluster.cluster-abcdefghijkl.us-east-1.rds.amazonaws.com';

test('the token is the presigned connect URL, with the port, without its scheme, as botocore signs it', () => {
  const token = presignDbAuthToken({ hostname: HOSTNAME, port: 5432, userName: 'iam_probe', region: 'us-east-1', credentials: CREDENTIALS, now: NOW });
  expect(token).toBe(`${HOSTNAME}:5432/?Action=connect&DBUser=iam_probe&X-Amz-Algorithm=AWS4-HMAC-SHA256`
    + '&X-Amz-Credential=AKIDEXAMPLE%2F20261206%2Fus-east-1%2Frds-db%2Faws4_request&X-Amz-Date=20261206T170000Z&X-Amz-Expires=900'
    + '&X-Amz-SignedHeaders=host&X-Amz-Signature=c830cecdc097322a758ce85f0f5d1ba60b91e4ae1eb0794a6283e06a1edf9274');
});

test('a session token (Lambda\'s credentials have one) is signed in the query', () => {
  const token = presignDbAuthToken({
    hostname: HOSTNAME,
    port: 5432,
    userName: 'iam_probe',
    region: 'us-east-1',
    now: NOW,
    credentials: { ...CREDENTIALS, sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE/+=TOKEN' },
  });
  // botocore lists the query's parameters in another order; the signature is over the sorted ones.
  expect(token).toContain('&X-Amz-Security-Token=IQoJb3JpZ2luX2VjEXAMPLE%2F%2B%3DTOKEN&');
  expect(token).toMatch(/&X-Amz-Signature=29d2af05e99336a0fa35e2ed04d0fd6f449c37d4b498577aef0dc08df95e0a67$/);
});

test('the token is signed for the endpoint it is used on: another host or port signs differently', () => {
  const sign = (hostname: string, port: number) => presignDbAuthToken({
    hostname, port, userName: 'iam_probe', region: 'us-east-1', credentials: CREDENTIALS, now: NOW,
  }).replace(/.*X-Amz-Signature=/, '');
  const reader = HOSTNAME.replace('.cluster-', '.cluster-ro-');
  expect(new Set([sign(HOSTNAME, 5432), sign(reader, 5432), sign(HOSTNAME, 5433)]).size).toBe(3);
});

test('describes a session as the IntegTest expects it', () => {
  expect(describeSession({ replica: false, tls: true, user: 'iam_probe' })).toBe('primary over TLS as iam_probe');
  expect(describeSession({ replica: true, tls: true, user: 'iam_probe' })).toBe('replica over TLS as iam_probe');
  // A session that pg_stat_ssl has no row for (null) does not count as encrypted.
  expect(describeSession({ replica: false, tls: null, user: 'postgres' })).toBe('primary over plain TCP as postgres');
});
