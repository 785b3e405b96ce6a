-- Markov removal effects and global allocation per conversion type (filled from Go).
CREATE TABLE _next_markov_removal_effects (
    model VARCHAR, conversion_type VARCHAR, channel VARCHAR, removal_effect DOUBLE, conversions DOUBLE,
    revenue DOUBLE, markov_order INTEGER
)
