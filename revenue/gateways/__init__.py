"""Payment gateways behind one interface (`base.PaymentGateway`), chosen by configuration."""
