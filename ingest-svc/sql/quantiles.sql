-- Exact quantiles of the numeric columns over the de-duplicated valid rows, for outlier fences.
-- {{low}} and {{high}} are probabilities in [0, 1] substituted from typed configuration values.
SELECT
    percentile_cont(score, {{low}}) AS score_low,
    percentile_cont(score, {{high}}) AS score_high,
    percentile_cont(CAST(age AS DOUBLE), {{low}}) AS age_low,
    percentile_cont(CAST(age AS DOUBLE), {{high}}) AS age_high,
    percentile_cont(balance, {{low}}) AS balance_low,
    percentile_cont(balance, {{high}}) AS balance_high,
    percentile_cont(est_salary, {{low}}) AS est_salary_low,
    percentile_cont(est_salary, {{high}}) AS est_salary_high
FROM deduplicated
