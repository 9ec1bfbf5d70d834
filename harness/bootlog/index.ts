// The boot-message parser's public face: parse a log into an attach tree, then ask it questions.
export { parseBootLog, UnrecognisedBootLog } from './parse.ts';
export { findDevice, pvChildren, virtioChildren, ancestorDrivers, PV_BUS_DRIVERS } from './query.ts';
export type * from './types.ts';
