"""Every write of Learn: learning (enrolment, progress), exams, statistics, certificates, keys, authoring."""
