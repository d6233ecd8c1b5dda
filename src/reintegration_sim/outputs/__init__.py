"""What people read: result folders (:mod:`.results`), plots (:mod:`.plotting`), the
comparison report (:mod:`.report`), printed summaries (:mod:`.text`) and the generated docs
(:mod:`.catalogue`)."""
