// The public API of the static website: the construct and its props. Its parts (the deployer,
// the distribution's pieces and the validation rules) stay internal.
export { StaticWebsite } from './static-website';
export type { StaticWebsiteProps } from './static-website';
