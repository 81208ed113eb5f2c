import type { Options } from 'tsup';

/** The shared tsup configuration, with `overrides` spread over it. */
export function supportTsupConfig(overrides?: Options): Options;
