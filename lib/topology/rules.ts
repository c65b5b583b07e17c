// The validation rules live in rules/ (one module per group of rules); this path is kept for importers.
export * from './rules/index.js';
