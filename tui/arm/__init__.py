"""The Azure Resource Manager face of the service (`asr-console arm serve`): Site Recovery's REST
operations for agent and appliance upgrades, over the store's Service like the CLI and the console.

names.py (resource names and ids), shapes.py and jobs_shapes.py (pure JSON shaping), routes.py
(paths and filters), tls.py (the certificate), server.py (aiohttp: auth, errors, logging) and
handlers.py (each operation)."""
