"""The audit log: who exported, erased, anonymised or changed what. The ground floor: every
domain records here, and it imports no domain."""
