"""`ytc-release migrate`: service folders off a copied common/, onto the index."""
