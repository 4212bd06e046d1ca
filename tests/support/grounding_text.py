"""A short statute-like passage the grounding-model and training tests score claims against."""

LEGAL = (
    "Article 4. Each State Party shall adopt such legislative measures as may be necessary to establish as a "
    "criminal offence the removal of human organs from living donors without their free, informed consent. "
    "The penalty for this offence shall be imprisonment of up to 10 years. "
    "Article 5. The competent authorities of the Parties shall cooperate with each other to the widest extent "
    "possible. Requests shall be transmitted through Interpol or directly between judicial authorities. "
    "Article 6. No Party is permitted to make a reservation to Article 4."
)
