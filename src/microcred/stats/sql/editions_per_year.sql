-- Question 3: editions per academic year, enrolments per edition, and fill rate against stated capacity.
WITH per_edition AS (
    SELECT e.id, e.academic_year, e.capacity, COUNT(n.edition_id) AS enrolments
    FROM stat_editions AS e
    JOIN scope_offerings AS s ON s.offering_id = e.offering_id
    LEFT JOIN stat_enrolments AS n ON n.edition_id = e.id
    WHERE e.academic_year BETWEEN $from_year AND $to_year
    GROUP BY e.id, e.academic_year, e.capacity
), capacity_learners AS (
    SELECT n.academic_year, COUNT(DISTINCT n.learner_id) AS learners
    FROM stat_enrolments AS n
    JOIN stat_editions AS e ON e.id = n.edition_id
    WHERE n.academic_year BETWEEN $from_year AND $to_year AND e.capacity IS NOT NULL
      AND n.offering_id IN (SELECT offering_id FROM scope_offerings)
    GROUP BY n.academic_year
)
SELECT p.academic_year, COUNT(*) AS editions, SUM(p.enrolments) AS enrolments,
       SUM(CASE WHEN p.capacity IS NOT NULL THEN 1 ELSE 0 END) AS editions_with_capacity,
       SUM(CASE WHEN p.capacity IS NOT NULL THEN p.capacity ELSE 0 END) AS capacity,
       SUM(CASE WHEN p.capacity IS NOT NULL THEN p.enrolments ELSE 0 END) AS enrolments_with_capacity,
       COALESCE(MAX(c.learners), 0) AS learners_with_capacity
FROM per_edition AS p
LEFT JOIN capacity_learners AS c ON c.academic_year = p.academic_year
GROUP BY p.academic_year
ORDER BY 1
