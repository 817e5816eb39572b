package db

// demoSecurity is one line of the demo securities master with its last price.
// Prices are illustrative, in the security's currency; bonds are quoted per 100 nominal.
type demoSecurity struct {
	symbol, name, issuer, sector, country, currency, class string
	lot, adv, shares, price                                string
}

// demoSecurities spans 12 sectors and 4 countries. Alphabet, Berkshire
// Hathaway and Volkswagen have two share classes, Apple and Siemens an equity
// and a bond, and the US Treasury two bonds, so issuer and security
// concentration differ.
var demoSecurities = []demoSecurity{
	{"AAPL", "Apple Inc.", "Apple", "Technology", "US", "USD", "equity", "1", "55000000", "15200000000", "189.12"},
	{"MSFT", "Microsoft Corp.", "Microsoft", "Technology", "US", "USD", "equity", "1", "22000000", "7430000000", "415.50"},
	{"NVDA", "NVIDIA Corp.", "NVIDIA", "Technology", "US", "USD", "equity", "1", "300000000", "24500000000", "118.40"},
	{"GOOGL", "Alphabet Inc. Class A", "Alphabet", "Communication Services", "US", "USD", "equity", "1", "25000000", "5800000000", "172.30"},
	{"GOOG", "Alphabet Inc. Class C", "Alphabet", "Communication Services", "US", "USD", "equity", "1", "18000000", "5500000000", "173.90"},
	{"META", "Meta Platforms Inc. Class A", "Meta Platforms", "Communication Services", "US", "USD", "equity", "1", "15000000", "2200000000", "495.00"},
	{"AMZN", "Amazon.com Inc.", "Amazon", "Consumer Discretionary", "US", "USD", "equity", "1", "40000000", "10500000000", "185.20"},
	{"HD", "Home Depot Inc.", "Home Depot", "Consumer Discretionary", "US", "USD", "equity", "1", "3500000", "990000000", "345.60"},
	{"BRK.B", "Berkshire Hathaway Inc. Class B", "Berkshire Hathaway", "Financials", "US", "USD", "equity", "1", "3800000", "1300000000", "412.00"},
	{"BRK.A", "Berkshire Hathaway Inc. Class A", "Berkshire Hathaway", "Financials", "US", "USD", "equity", "1", "1200", "580000", "620000.00"},
	{"JPM", "JPMorgan Chase & Co.", "JPMorgan Chase", "Financials", "US", "USD", "equity", "1", "9000000", "2870000000", "198.60"},
	{"JNJ", "Johnson & Johnson", "Johnson & Johnson", "Health Care", "US", "USD", "equity", "1", "7000000", "2400000000", "152.30"},
	{"PFE", "Pfizer Inc.", "Pfizer", "Health Care", "US", "USD", "equity", "100", "35000000", "5660000000", "28.40"},
	{"XOM", "Exxon Mobil Corp.", "Exxon Mobil", "Energy", "US", "USD", "equity", "1", "16000000", "3950000000", "112.80"},
	{"CVX", "Chevron Corp.", "Chevron", "Energy", "US", "USD", "equity", "1", "8000000", "1840000000", "155.10"},
	{"PG", "Procter & Gamble Co.", "Procter & Gamble", "Consumer Staples", "US", "USD", "equity", "1", "6500000", "2360000000", "164.70"},
	{"KO", "Coca-Cola Co.", "Coca-Cola", "Consumer Staples", "US", "USD", "equity", "100", "13000000", "4310000000", "62.50"},
	{"CAT", "Caterpillar Inc.", "Caterpillar", "Industrials", "US", "USD", "equity", "1", "2800000", "490000000", "335.00"},
	{"NEE", "NextEra Energy Inc.", "NextEra Energy", "Utilities", "US", "USD", "equity", "100", "10000000", "2050000000", "71.20"},
	{"LIN", "Linde plc", "Linde", "Materials", "US", "USD", "equity", "1", "2000000", "480000000", "452.30"},

	{"SHEL", "Shell plc", "Shell", "Energy", "GB", "GBP", "equity", "100", "12000000", "6400000000", "27.45"},
	{"BP", "BP plc", "BP", "Energy", "GB", "GBP", "equity", "100", "35000000", "16500000000", "4.61"},
	{"AZN", "AstraZeneca plc", "AstraZeneca", "Health Care", "GB", "GBP", "equity", "1", "2000000", "1550000000", "118.30"},
	{"GSK", "GSK plc", "GSK", "Health Care", "GB", "GBP", "equity", "100", "9000000", "4080000000", "15.20"},
	{"HSBA", "HSBC Holdings plc", "HSBC", "Financials", "GB", "GBP", "equity", "100", "25000000", "18500000000", "6.72"},
	{"ULVR", "Unilever plc", "Unilever", "Consumer Staples", "GB", "GBP", "equity", "10", "3000000", "2500000000", "42.15"},
	{"NG", "National Grid plc", "National Grid", "Utilities", "GB", "GBP", "equity", "100", "10000000", "4900000000", "9.85"},
	{"VOD", "Vodafone Group plc", "Vodafone", "Communication Services", "GB", "GBP", "equity", "100", "60000000", "26000000000", "0.72"},
	{"RIO", "Rio Tinto plc", "Rio Tinto", "Materials", "GB", "GBP", "equity", "10", "3000000", "1250000000", "52.30"},
	{"REL", "RELX plc", "RELX", "Industrials", "GB", "GBP", "equity", "10", "2500000", "1870000000", "34.80"},

	{"SAP", "SAP SE", "SAP", "Technology", "DE", "EUR", "equity", "1", "2000000", "1170000000", "178.40"},
	{"SIE", "Siemens AG", "Siemens", "Industrials", "DE", "EUR", "equity", "1", "1500000", "800000000", "172.90"},
	{"ALV", "Allianz SE", "Allianz", "Financials", "DE", "EUR", "equity", "1", "800000", "390000000", "262.10"},
	{"VOW3", "Volkswagen AG Preferred", "Volkswagen", "Consumer Discretionary", "DE", "EUR", "equity", "10", "1200000", "206000000", "108.50"},
	{"VOW", "Volkswagen AG Ordinary", "Volkswagen", "Consumer Discretionary", "DE", "EUR", "equity", "10", "30000", "295000000", "118.20"},
	{"BAS", "BASF SE", "BASF", "Materials", "DE", "EUR", "equity", "10", "2500000", "893000000", "46.30"},
	{"DTE", "Deutsche Telekom AG", "Deutsche Telekom", "Communication Services", "DE", "EUR", "equity", "10", "6000000", "4980000000", "23.40"},
	{"EOAN", "E.ON SE", "E.ON", "Utilities", "DE", "EUR", "equity", "100", "7000000", "2640000000", "12.60"},

	{"MC", "LVMH Moët Hennessy Louis Vuitton SE", "LVMH", "Consumer Discretionary", "FR", "EUR", "equity", "1", "500000", "500000000", "705.00"},
	{"OR", "L'Oréal SA", "L'Oréal", "Consumer Staples", "FR", "EUR", "equity", "1", "400000", "535000000", "398.50"},
	{"TTE", "TotalEnergies SE", "TotalEnergies", "Energy", "FR", "EUR", "equity", "10", "4500000", "2350000000", "61.80"},
	{"SAN", "Sanofi SA", "Sanofi", "Health Care", "FR", "EUR", "equity", "10", "2000000", "1260000000", "90.40"},
	{"AIR", "Airbus SE", "Airbus", "Industrials", "FR", "EUR", "equity", "1", "1200000", "790000000", "152.60"},
	{"BNP", "BNP Paribas SA", "BNP Paribas", "Financials", "FR", "EUR", "equity", "10", "3500000", "1130000000", "61.20"},

	{"UST-2030", "US Treasury 4.00% 2030", "United States Treasury", "Government", "US", "USD", "government_bond", "100", "2000000", "0", "99.12"},
	{"UST-2035", "US Treasury 4.25% 2035", "United States Treasury", "Government", "US", "USD", "government_bond", "100", "1500000", "0", "97.85"},
	{"UKT-2034", "UK Gilt 4.25% 2034", "United Kingdom", "Government", "GB", "GBP", "government_bond", "100", "800000", "0", "98.40"},
	{"DBR-2033", "Bund 2.30% 2033", "Federal Republic of Germany", "Government", "DE", "EUR", "government_bond", "100", "900000", "0", "96.70"},
	{"FRTR-2032", "OAT 2.00% 2032", "French Republic", "Government", "FR", "EUR", "government_bond", "100", "700000", "0", "93.10"},

	{"AAPL-2030", "Apple 3.00% Notes 2030", "Apple", "Technology", "US", "USD", "corporate_bond", "100", "50000", "0", "95.60"},
	{"SIE-2031", "Siemens 2.75% Notes 2031", "Siemens", "Industrials", "DE", "EUR", "corporate_bond", "100", "20000", "0", "97.30"},

	{"SPY", "SPDR S&P 500 ETF Trust", "State Street SPDR", "Funds", "US", "USD", "fund", "1", "70000000", "900000000", "520.40"},
	{"ISF", "iShares Core FTSE 100 UCITS ETF", "iShares", "Funds", "GB", "GBP", "fund", "10", "5000000", "1000000000", "8.15"},
}

// demoPortfolio is a demo account: its approximate NAV and cash share, and the
// securities it holds, largest weight first.
type demoPortfolio struct {
	code, name, currency, tags string
	nav, cashPct               int64
	symbols                    []string
}

// demoPortfolios are six accounts from about 2 million to about 500 million,
// each holding securities in its own base currency.
var demoPortfolios = []demoPortfolio{
	{"US-LC", "US Large Cap Equity", "USD", "", 500_000_000, 2, []string{
		"MSFT", "AAPL", "NVDA", "AMZN", "GOOGL", "META", "BRK.B", "JPM", "GOOG", "LIN", "JNJ", "XOM",
		"PG", "HD", "CVX", "CAT", "KO", "PFE", "NEE", "SPY", "BRK.A", "UST-2030"}},
	{"EU-LEAD", "European Leaders", "EUR", "ucits", 180_000_000, 3, []string{
		"SAP", "MC", "SIE", "ALV", "TTE", "OR", "SAN", "AIR", "BNP", "DTE", "BAS", "VOW3", "VOW", "EOAN",
		"DBR-2033", "FRTR-2032", "SIE-2031"}},
	{"US-BAL", "US Balanced Income", "USD", "", 95_000_000, 4, []string{
		"UST-2030", "UST-2035", "AAPL-2030", "MSFT", "JNJ", "PG", "KO", "JPM", "XOM", "NEE", "PFE", "AAPL",
		"HD", "CVX", "SPY"}},
	{"UK-INC", "UK Equity Income", "GBP", "", 40_000_000, 3, []string{
		"SHEL", "AZN", "HSBA", "ULVR", "REL", "BP", "GSK", "RIO", "NG", "VOD", "ISF", "UKT-2034"}},
	{"US-TECH", "US Technology Opportunities", "USD", "", 12_000_000, 5, []string{
		"NVDA", "MSFT", "AAPL", "GOOGL", "META", "AMZN", "GOOG", "AAPL-2030", "SPY", "LIN"}},
	{"FAM-01", "Whitmore Family Account", "USD", "", 2_000_000, 8, []string{
		"SPY", "AAPL", "MSFT", "BRK.B", "JNJ", "KO", "PG", "UST-2030", "UST-2035", "JPM", "NEE"}},
}

// demoUsers are the demo desk's people; all share the demo password.
var demoUsers = []struct {
	name string
	role string
}{
	{"pm", "pm"},
	{"trader", "trader"},
	{"trader2", "trader"},
	{"compliance", "compliance"},
	{"admin", "admin"},
}
