-- Question 3: enrolments and distinct learners per offering over the range, in its first and last year.
SELECT o.id AS offering_id, p.slug AS provider, o.code AS code, o.title_nl AS title_nl, o.title_en AS title_en,
       COUNT(*) AS enrolments, COUNT(DISTINCT n.learner_id) AS learners,
       COUNT(DISTINCT n.edition_id) AS editions,
       SUM(CASE WHEN n.academic_year = $from_year THEN 1 ELSE 0 END) AS enrolments_first_year,
       SUM(CASE WHEN n.academic_year = $to_year THEN 1 ELSE 0 END) AS enrolments_last_year
FROM stat_enrolments AS n
JOIN stat_offerings AS o ON o.id = n.offering_id
JOIN stat_providers AS p ON p.id = o.provider_id
WHERE n.academic_year BETWEEN $from_year AND $to_year
  AND n.offering_id IN (SELECT offering_id FROM scope_offerings)
GROUP BY o.id, p.slug, o.code, o.title_nl, o.title_en
ORDER BY enrolments DESC, p.slug, o.code
