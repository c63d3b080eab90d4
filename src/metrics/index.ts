/** Metrics (pure functions, nulls for undefined values, seeded randomness through one resampling engine) and the learned models they use (probe, k-means, PCA). */
export * from './metric.js';
export * from '../random.js';
export * from './rank.js';
export * from './ranking.js';
export * from './separation.js';
export * from './correlation.js';
export * from './threshold.js';
export * from './resampling.js';
export * from './bootstrap.js';
export * from './score.js';
export * from './pca.js';
export * from './normalization.js';
export * from './contextuality.js';
export * from './delong.js';
export * from './compare.js';
