"""Platform adapters: native payloads in, neutral events out; neutral replies rendered natively."""
