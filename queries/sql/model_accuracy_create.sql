-- model_accuracy exists after the evaluation step only when evaluation.truth_file is set; the
-- incrementality step adds its rows to the same table.
CREATE TABLE IF NOT EXISTS _next_model_accuracy (
    truth              VARCHAR,
    scope              VARCHAR,
    model              VARCHAR,
    conversion_type    VARCHAR,
    channel            VARCHAR,
    true_share         DOUBLE,
    attributed_share   DOUBLE,
    abs_error          DOUBLE,
    misallocated_share DOUBLE
)
