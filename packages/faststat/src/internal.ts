// Names shared between faststat's modules and kept out of its public API.

/**
 * The method of Stats (and its subclasses) that merges a snapshot already
 * checked by validateStatsSnapshot, so a merge of many snapshots checks
 * each once.
 */
export const mergeChecked: unique symbol = Symbol('faststat.mergeChecked');
