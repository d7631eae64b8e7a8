"""Orders, one shipment per producer, line snapshots, state transitions and their events."""
