-- A full run's empty attrib_state.person_touches, which the passes of person_touches.sql.tmpl fill (and
-- an incremental run when the table is missing, e.g. in a warehouse made before it existed).
CREATE OR REPLACE TABLE attrib_state.person_touches (
    person_id VARCHAR, first_touch_at TIMESTAMPTZ, first_touch_channel VARCHAR, last_touch_at TIMESTAMPTZ
)
