// The functions Streamline adds to DuckDB's (issue 17, from the StreamHouse seed), as SQL macros
// created on every query instance before its configuration is locked (duckdb-pool.ts). Macros, not
// JS scalar functions: DuckDB runs them in its own threads, and they compose with any expression.
//
//   vectors (LIST or ARRAY of numbers, or JSON arrays such as value->'$.embedding'; cast to DOUBLE[]):
//     cosine_similarity(a, b), euclidean_distance(a, b), dot_product(a, b), vector_norm(a)
//   anomalies (the mean and standard deviation usually come from window aggregates,
//   e.g. zscore(x, avg(x) OVER w, stddev(x) OVER w)):
//     zscore(x, mean, stddev): (x - mean) / stddev, NULL when stddev is 0 or NULL
//     anomaly(x, mean, stddev, threshold := 3): |zscore| > threshold
//   moving_avg(x, n, order_by, partition_by := NULL): the average of x over the current row and the
//     n - 1 rows before it in order_by order (within partition_by): a window function written as a
//     call (the macro holds its own OVER clause; DuckDB allows window expressions in macros)
// stddev() is DuckDB's own (the sample standard deviation).

export const streamlineMacros: readonly string[] = [
  'CREATE MACRO cosine_similarity(a, b) AS list_cosine_similarity(a::DOUBLE[], b::DOUBLE[])',
  'CREATE MACRO euclidean_distance(a, b) AS list_distance(a::DOUBLE[], b::DOUBLE[])',
  'CREATE MACRO dot_product(a, b) AS list_dot_product(a::DOUBLE[], b::DOUBLE[])',
  'CREATE MACRO vector_norm(a) AS sqrt(list_dot_product(a::DOUBLE[], a::DOUBLE[]))',
  'CREATE MACRO zscore(x, mean, sd) AS (x - mean) / nullif(sd, 0)',
  'CREATE MACRO anomaly(x, mean, sd, threshold := 3) AS abs((x - mean) / nullif(sd, 0)) > threshold',
  // n < 1 frames no row: NULL. Rows with NULL x are not counted (avg), as in avg() OVER.
  'CREATE MACRO moving_avg(x, n, order_by, partition_by := NULL) AS avg(x) OVER (PARTITION BY partition_by ORDER BY order_by ROWS BETWEEN n - 1 PRECEDING AND CURRENT ROW)',
]
