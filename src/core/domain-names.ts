import { Token } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { PropValidator } from './prop-validator';

/** A DNS host name: labels of letters, digits and hyphens, a wildcard first label at most. */
const HOST_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/i;

/**
 * Records an error unless `name` is a host name (at most 253 characters) and, with a hosted zone,
 * the zone's apex or a name inside it. Tokens are not validated.
 */
export function checkDomainName(v: PropValidator, prop: string, name: string, zone?: route53.IHostedZone): void {
  if (Token.isUnresolved(name)) {
    return;
  }
  v.check(name.length <= 253 && HOST_NAME.test(name), prop, name,
    'a host name such as www.example.com (labels of letters, digits and hyphens; a leading *. for a wildcard)');
  const zoneName = zone && !Token.isUnresolved(zone.zoneName) ? zone.zoneName.replace(/\.$/, '').toLowerCase() : undefined;
  const host = name.toLowerCase();
  v.check(zoneName === undefined || host === zoneName || host.endsWith(`.${zoneName}`), prop, name, `a name in the hosted zone ${zoneName}`);
}
