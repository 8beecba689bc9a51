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
// stddev() is DuckDB's own (the sample standard deviation).

export const streamlineMacros: readonly string[] = [
  'CREATE MACRO cosine_similarity(a, b) AS list_cosine_similarity(a::DOUBLE[], b::DOUBLE[])',
  'CREATE MACRO euclidean_distance(a, b) AS list_distance(a::DOUBLE[], b::DOUBLE[])',
  'CREATE MACRO dot_product(a, b) AS list_dot_product(a::DOUBLE[], b::DOUBLE[])',
  'CREATE MACRO vector_norm(a) AS sqrt(list_dot_product(a::DOUBLE[], a::DOUBLE[]))',
  'CREATE MACRO zscore(x, mean, sd) AS (x - mean) / nullif(sd, 0)',
  'CREATE MACRO anomaly(x, mean, sd, threshold := 3) AS abs((x - mean) / nullif(sd, 0)) > threshold',
]
