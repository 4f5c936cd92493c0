"""Request and response bodies of the public API. The OpenAPI document is generated
from these same models, so the contract and the answers cannot drift apart.

One module per resource; ``common`` holds the types they share.
"""
