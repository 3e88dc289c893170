"""Orders after placement: the status lifecycle, fulfilment, and the emails they cause."""
