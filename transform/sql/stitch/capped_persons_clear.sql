-- Forgets the persons the identity guard capped before (capped_persons.sql records this run's).
DELETE FROM attrib_state.capped_persons
