"""Sub-commands beyond ``tokenize``: registered into ``complaintmine.cli`` on import."""

from __future__ import annotations
