"""Test configuration: the hypothesis profile comes from funcgrad.testing.

``FUNCGRAD_PROFILE=ci`` (the default) is bounded and deterministic, for the
10-minute budget; ``dev`` runs more examples, ``thorough`` many more (see
``funcgrad/testing/profiles.py``).
"""
from funcgrad.testing.profiles import load_profile

load_profile()
