-- One budget recommendation row (values bound from Go).
INSERT INTO _next_budget_recommendations VALUES (?, ?, ?, ?, ?, ?::DECIMAL(38, 4), ?::DECIMAL(38, 10), ?, ?, ?, ?, ?, ?, ?,
    ?::DECIMAL(38, 2), ?::DECIMAL(38, 2), ?, ?, ?, ?)
