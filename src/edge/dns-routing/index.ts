// The public API of DNS routing: the construct, its props, the endpoints and the policy. The
// validation rules stay internal.
export { DnsRouting } from './dns-routing';
export type { DnsRoutingProps } from './dns-routing';
export { RoutingEndpoint, RoutingPolicy } from './routing-endpoint';
export type { RoutingEndpointOptions } from './routing-endpoint';
