/**
 * The RelationalDatabase IntegTest's probe: reads the master credentials from the secret, runs
 * `SELECT 1` over TLS (verifying the server's certificate against the RDS CAs Lambda ships in
 * /var/runtime/ca-cert.pem), then tries again without TLS, which the database must refuse.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client, ClientConfig } from 'pg';

const secrets = new SecretsManagerClient({});

export async function handler(): Promise<{ selectOne: number; withoutTls: string }> {
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.DB_SECRET_ARN }));
  const { username, password } = JSON.parse(SecretString!);
  const config: ClientConfig = {
    host: process.env.DB_HOST,
    port: Number(process.env.DB_PORT),
    database: 'postgres',
    user: username,
    password,
    connectionTimeoutMillis: 10_000,
  };

  const secure = new Client({ ...config, ssl: { rejectUnauthorized: true } });
  await secure.connect();
  const { rows } = await secure.query<{ one: number }>('SELECT 1 AS one');
  await secure.end();

  const plain = new Client({ ...config, ssl: false });
  let withoutTls = 'accepted';
  try {
    await plain.connect();
    await plain.end();
  } catch (error) {
    // PostgreSQL with rds.force_ssl=1 answers: no pg_hba.conf entry ... no encryption.
    withoutTls = /no encryption/.test(String(error)) ? 'refused' : `failed otherwise: ${String(error)}`;
  }
  return { selectOne: rows[0].one, withoutTls };
}
