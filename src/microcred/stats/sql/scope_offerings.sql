-- The offerings a report covers: those of the chosen providers, provider types and offer kinds.
CREATE TEMPORARY TABLE scope_offerings AS
SELECT o.id AS offering_id
FROM stat_offerings AS o
JOIN stat_providers AS p ON p.id = o.provider_id
WHERE p.type IN ({provider_types}) AND o.kind IN ({kinds}) AND ({all_providers} OR p.slug IN ({providers}))
