/** Senses as measurements and pictures: occurrence sets, sense metrics, k-means, the probe, the panels and the `senses` command. */
export * from './occurrences.js';
export * from './metrics.js';
export * from './kmeans.js';
export * from './probe.js';
export * from './projection.js';
export * from './evaluate.js';
export * from './command.js';
