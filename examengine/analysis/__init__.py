"""Classical test theory: item analysis, reliability, standard setting and their reports.

The statistics and the reports are pure functions over the data they are given. Three modules use the database:
exam_responses and exam_analysis read an exam version's scored attempts, and bank_statistics writes the analysed
items' statistics back to the item bank (which form assembly reads) with a history row."""
