"""Standard setting studies: judges rate an exam version's items (Modified Angoff) or the acceptable cut and fail
rate (Hofstee) over rounds, and the recommended cut follows from analysis.standard_setting."""
