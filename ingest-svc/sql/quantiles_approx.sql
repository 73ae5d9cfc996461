-- Approximate quantiles (t-digest) of the numeric columns over the de-duplicated valid rows, used
-- instead of quantiles.sql above the exact-statistics row limit so that memory stays bounded.
-- {{low}} and {{high}} are probabilities in [0, 1] substituted from typed configuration values.
SELECT
    approx_percentile_cont({{low}}) WITHIN GROUP (ORDER BY score) AS score_low,
    approx_percentile_cont({{high}}) WITHIN GROUP (ORDER BY score) AS score_high,
    approx_percentile_cont({{low}}) WITHIN GROUP (ORDER BY CAST(age AS DOUBLE)) AS age_low,
    approx_percentile_cont({{high}}) WITHIN GROUP (ORDER BY CAST(age AS DOUBLE)) AS age_high,
    approx_percentile_cont({{low}}) WITHIN GROUP (ORDER BY balance) AS balance_low,
    approx_percentile_cont({{high}}) WITHIN GROUP (ORDER BY balance) AS balance_high,
    approx_percentile_cont({{low}}) WITHIN GROUP (ORDER BY est_salary) AS est_salary_low,
    approx_percentile_cont({{high}}) WITHIN GROUP (ORDER BY est_salary) AS est_salary_high
FROM deduplicated
