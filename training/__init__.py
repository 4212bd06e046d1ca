"""Model fitting and pair building, outside the shipped package: the grounding cross-encoder
(train_grounding.py, grounding_data.py), the verifier's logistic combiner (fit_verifier.py), the labelled
corpus pairs (build_pairs.py) and the one perturbation generator they share (perturb.py)."""
