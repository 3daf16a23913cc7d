"""The contract code both SOAP directions and the documents share: the glossary, XSD building, the SOAP
dialect and hardened XML parsing."""
