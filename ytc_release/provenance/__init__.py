"""Where a published file came from: the record each upload carries (source.py), what the
index serves of it (served.py), a rebuild from the recorded commit (rebuild.py) and the
local list of files proven that way (reproduced.py)."""
