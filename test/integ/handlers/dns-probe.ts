/**
 * The DnsRouting IntegTest's probe: asks one of the hosted zone's own Route 53 name servers for the
 * routed name's A records, as a resolver would once the zone is delegated. Route 53's name servers
 * answer authoritatively for the zones they serve whether or not the parent delegates to them, so
 * the answer is the one Route 53 gives the internet, health checks applied, with no domain to own.
 */
import { promises as dns } from 'dns';

export async function handler(): Promise<{ addresses: string[] }> {
  const nameServer = process.env.NAME_SERVER!;
  // The name server's own address, from Lambda's resolver: it is a public name (ns-N.awsdns-NN.tld).
  const [serverAddress] = await dns.resolve4(nameServer);
  const resolver = new dns.Resolver({ timeout: 3000, tries: 2 });
  resolver.setServers([serverAddress]);
  // A failover name answers with one record; sorted anyway, so a comparison never depends on order.
  const addresses = (await resolver.resolve4(process.env.RECORD_NAME!)).sort();
  return { addresses };
}
