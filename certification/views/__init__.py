"""Learn portal views (server-rendered), one module per audience: catalog and learning, exams, credentials
(public verification), dashboards and authoring."""
