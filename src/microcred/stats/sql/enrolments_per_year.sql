-- Question 2: enrolments and distinct learners ({year}: per academic year or 0 for the whole range), split by
-- one dimension ({dimension}); passed and decided enrolments give the completion rate.
SELECT {year} AS academic_year, {dimension} AS value,
       COUNT(*) AS enrolments,
       COUNT(DISTINCT n.learner_id) AS learners,
       SUM(CASE WHEN n.outcome = 'passed' THEN 1 ELSE 0 END) AS passed,
       SUM(CASE WHEN n.outcome IN ('passed', 'failed', 'withdrawn') THEN 1 ELSE 0 END) AS decided
FROM stat_enrolments AS n
WHERE n.academic_year BETWEEN $from_year AND $to_year
  AND n.offering_id IN (SELECT offering_id FROM scope_offerings)
GROUP BY {year}, {dimension}
ORDER BY 1, 2
